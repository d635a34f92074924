import * as bpe from 'gpt-tokenizer/encoding/r50k_base';
for (const [n,c] of [[100000,'a'],[300000,'=']]) { const s=Date.now(); const ids=bpe.encode(c.repeat(n)); console.log('library', c, n, ids.length, Date.now()-s,'ms'); }
