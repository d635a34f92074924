/**
 * The model view's script (runs in the browser): unpacks the 8-bit weights,
 * draws every head's thumbnail, reads the cell under the pointer, and opens a
 * head in an overlay sized to the window (Esc closes; arrows step through heads
 * and layers). Written without decimal literals so the numbers it shows come
 * only from the page's data.
 */
export const MODEL_VIEW_SCRIPT = `
(() => {
  const D = JSON.parse(document.getElementById('model-view-data').textContent);
  const hover = document.getElementById('hover');
  const T = D.labels.length;
  const TRI = (T * (T + 1)) / 2;
  const raw = atob(D.weights);
  const q = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) q[i] = raw.charCodeAt(i);
  const byte = (hex, at) => parseInt(hex.slice(at, at + 2), 16);
  const palette = Uint8Array.from({ length: D.palette.length / 2 }, (_, i) => byte(D.palette, 2 * i));
  const masked = [0, 2, 4].map((at) => byte(D.masked, at));
  const index = (k, i, j) => k * TRI + (i * (i + 1)) / 2 + j;
  const weight = (k, i, j) => q[index(k, i, j)] / D.levels;

  /** Head k as a T×T picture, one pixel a cell. */
  function picture(k) {
    const img = new ImageData(T, T);
    const px = img.data;
    for (let i = 0; i < T; i++)
      for (let j = 0; j < T; j++) {
        const p = 4 * (i * T + j);
        const c = j > i ? masked : palette.subarray(3 * q[index(k, i, j)]);
        px[p] = c[0];
        px[p + 1] = c[1];
        px[p + 2] = c[2];
        px[p + 3] = 255;
      }
    return img;
  }

  function describe(k, i, j) {
    const cell = D.names[k] + ': ' + D.labels[i] + ' (pos ' + i + ') → ' + D.labels[j] + ' (pos ' + j + ')';
    return j > i ? cell + ' = masked (future, exactly 0)' : cell + ' = ' + weight(k, i, j).toFixed(D.digits) + ' ± ' + D.precision;
  }

  /**
   * The cell under a pointer event on a square of side T cells placed at (x0, y0) with this cell size;
   * null outside it. Pointer coordinates are whole pixels, so a thumbnail (which starts at a fraction
   * of a pixel) takes its edge pixels as its edge cells.
   */
  function cellAt(ev, el, x0, y0, size, edges) {
    const r = el.getBoundingClientRect();
    const clamp = (v) => (edges ? Math.min(T - 1, Math.max(0, v)) : v);
    const j = clamp(Math.floor((ev.clientX - r.left - x0) / size));
    const i = clamp(Math.floor((ev.clientY - r.top - y0) / size));
    return i >= 0 && j >= 0 && i < T && j < T ? [i, j] : null;
  }

  const thumbs = [...document.querySelectorAll('canvas.head')];
  thumbs.forEach((c, k) => {
    c.getContext('2d').putImageData(picture(k), 0, 0);
    c.addEventListener('mousemove', (ev) => {
      const at = cellAt(ev, c, 0, 0, c.getBoundingClientRect().width / T, true);
      if (at) hover.textContent = describe(k, at[0], at[1]);
    });
    c.addEventListener('click', () => open(k));
    c.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        open(k);
      }
    });
  });
  // A thumbnail smaller than its T×T pixels is smoothed (a one-pixel diagonal must not drop out); a larger one stays crisp.
  const sharpen = () => thumbs.forEach((c) => (c.style.imageRendering = c.clientWidth >= T ? 'pixelated' : 'auto'));
  sharpen();

  const overlay = document.getElementById('overlay');
  const panel = overlay.querySelector('.panel');
  const bar = document.getElementById('overlay-bar');
  const canvas = document.getElementById('overlay-canvas');
  const title = document.getElementById('overlay-title');
  const read = document.getElementById('overlay-read');
  const closeButton = document.getElementById('overlay-close');
  const source = document.createElement('canvas');
  source.width = T;
  source.height = T;
  const FONT = '11px ui-monospace, Menlo, monospace';
  const LINE = 13, GAP = 4, AROUND = 16, TOP = 22;
  /** Label every 1, 2, 5, 10, 20, 50 … cells: the first of these at least \`cells\` apart. */
  const every = (cells) => {
    for (let n = 1; ; n *= 10) for (const m of [1, 2, 5]) if (m * n >= cells) return m * n;
  };
  const shown = (label) => (label.length > 14 ? label.slice(0, 13) + '…' : label);
  const measure = canvas.getContext('2d');
  measure.font = FONT;
  const LEFT = Math.ceil(Math.max(...D.labels.map((l) => measure.measureText(shown(l)).width), LINE * 4)) + 2 * GAP;
  let current = -1, size = 0, width = 0, height = 0, under = null;

  /** The largest square of cells that fits the window beside the labels, the panel sized to hold it. */
  function layout() {
    const pad = parseInt(getComputedStyle(panel).paddingLeft, 10);
    const room = Math.min(innerWidth - 2 * (AROUND + pad) - LEFT, innerHeight - 2 * (AROUND + pad) - bar.offsetHeight - GAP - TOP);
    size = Math.max(room, 1) / T;
    width = LEFT + size * T;
    height = TOP + size * T;
    const dpr = devicePixelRatio || 1;
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    panel.style.width = width + 2 * pad + 'px';
    draw();
  }

  function draw() {
    const ctx = canvas.getContext('2d');
    ctx.setTransform(canvas.width / width, 0, 0, canvas.height / height, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.imageSmoothingEnabled = size < 1;
    ctx.drawImage(source, LEFT, TOP, size * T, size * T);
    ctx.font = FONT;
    ctx.fillStyle = '#444';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    const rows = every(LINE / size);
    for (let i = 0; i < T; i += rows) ctx.fillText(shown(D.labels[i]), LEFT - GAP, TOP + ((2 * i + 1) * size) / 2);
    ctx.textAlign = 'center';
    const cols = every((LINE * 3) / size);
    for (let j = 0; j < T; j += cols) ctx.fillText(String(j), LEFT + ((2 * j + 1) * size) / 2, TOP / 2);
    ctx.textAlign = 'right';
    ctx.fillText('key →', LEFT - GAP, TOP / 2);
    if (under) {
      const [i, j] = under;
      const s = Math.max(size, GAP);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#000';
      ctx.strokeRect(LEFT + j * size - (s - size) / 2, TOP + i * size - (s - size) / 2, s, s);
    }
  }

  function open(k) {
    current = k;
    under = null;
    source.getContext('2d').putImageData(picture(k), 0, 0);
    title.textContent = D.names[k] + ' — ' + T + ' tokens';
    read.textContent = 'Point at a cell: query (row) → key (column) = weight.';
    overlay.hidden = false;
    layout();
    closeButton.focus();
  }

  function close() {
    overlay.hidden = true;
    thumbs[current].focus();
    current = -1;
  }

  canvas.addEventListener('mousemove', (ev) => {
    under = cellAt(ev, canvas, LEFT, TOP, size, false);
    if (under) read.textContent = hover.textContent = describe(current, under[0], under[1]);
    draw();
  });
  closeButton.addEventListener('click', close);
  overlay.addEventListener('click', (ev) => {
    if (ev.target === overlay) close();
  });
  const perLayer = D.headsPerLayer;
  document.addEventListener('keydown', (ev) => {
    if (overlay.hidden) return;
    const n = thumbs.length;
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: perLayer, ArrowUp: -perLayer }[ev.key];
    if (ev.key === 'Escape') close();
    else if (step) open((current + step + n) % n);
    else if (ev.key === 'Tab') closeButton.focus();
    else return;
    ev.preventDefault();
  });
  addEventListener('resize', () => {
    sharpen();
    if (!overlay.hidden) layout();
  });
})();
`;
