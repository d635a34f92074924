/** The shortest decimal that reads back as the same float32: 1e-5 for the float32 nearest 1e-5 (0.000009999999747378752). */
export function float32Text(x: number): string {
  if (!Number.isFinite(x) || Math.fround(x) !== x) return String(x);
  for (let digits = 1; digits <= 9; digits++) {
    const shortest = Number(x.toPrecision(digits));
    if (Math.fround(shortest) === x) return String(shortest);
  }
  return String(x);
}
