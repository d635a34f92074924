/**
 * ggml tensor types as GGUF stores them: id, name, block size (elements per
 * block) and type size (bytes per block). Bits per weight = 8 · typeSize / blockSize.
 * Ids 4, 5 and 31–33, 36–38 were removed from ggml; files using them are refused
 * by llama.cpp, so they are named here only to say so.
 */
export interface GgmlType {
  id: number;
  name: string;
  blockSize: number;
  typeSize: number;
  removed?: boolean;
}

const QK_K = 256;

export const GGML_TYPES: readonly GgmlType[] = [
  { id: 0, name: 'F32', blockSize: 1, typeSize: 4 },
  { id: 1, name: 'F16', blockSize: 1, typeSize: 2 },
  { id: 2, name: 'Q4_0', blockSize: 32, typeSize: 2 + 16 },
  { id: 3, name: 'Q4_1', blockSize: 32, typeSize: 2 + 2 + 16 },
  { id: 4, name: 'Q4_2', blockSize: 32, typeSize: 2 + 16, removed: true },
  { id: 5, name: 'Q4_3', blockSize: 32, typeSize: 2 + 2 + 16, removed: true },
  { id: 6, name: 'Q5_0', blockSize: 32, typeSize: 2 + 4 + 16 },
  { id: 7, name: 'Q5_1', blockSize: 32, typeSize: 2 + 2 + 4 + 16 },
  { id: 8, name: 'Q8_0', blockSize: 32, typeSize: 2 + 32 },
  { id: 9, name: 'Q8_1', blockSize: 32, typeSize: 4 + 4 + 32 },
  { id: 10, name: 'Q2_K', blockSize: QK_K, typeSize: 2 + 2 + QK_K / 16 + QK_K / 4 },
  { id: 11, name: 'Q3_K', blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 8 + 12 },
  { id: 12, name: 'Q4_K', blockSize: QK_K, typeSize: 2 + 2 + QK_K / 2 + 12 },
  { id: 13, name: 'Q5_K', blockSize: QK_K, typeSize: 2 + 2 + QK_K / 2 + QK_K / 8 + 12 },
  { id: 14, name: 'Q6_K', blockSize: QK_K, typeSize: 2 + QK_K / 2 + QK_K / 4 + QK_K / 16 },
  { id: 15, name: 'Q8_K', blockSize: QK_K, typeSize: 4 + QK_K + QK_K / 8 },
  { id: 16, name: 'IQ2_XXS', blockSize: QK_K, typeSize: 2 + QK_K / 4 },
  { id: 17, name: 'IQ2_XS', blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 32 },
  { id: 18, name: 'IQ3_XXS', blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 8 },
  { id: 19, name: 'IQ1_S', blockSize: QK_K, typeSize: 2 + QK_K / 8 + QK_K / 16 },
  { id: 20, name: 'IQ4_NL', blockSize: 32, typeSize: 2 + 16 },
  { id: 21, name: 'IQ3_S', blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4 },
  { id: 22, name: 'IQ2_S', blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 16 },
  { id: 23, name: 'IQ4_XS', blockSize: QK_K, typeSize: 2 + 2 + QK_K / 2 + QK_K / 64 },
  { id: 24, name: 'I8', blockSize: 1, typeSize: 1 },
  { id: 25, name: 'I16', blockSize: 1, typeSize: 2 },
  { id: 26, name: 'I32', blockSize: 1, typeSize: 4 },
  { id: 27, name: 'I64', blockSize: 1, typeSize: 8 },
  { id: 28, name: 'F64', blockSize: 1, typeSize: 8 },
  { id: 29, name: 'IQ1_M', blockSize: QK_K, typeSize: QK_K / 8 + QK_K / 16 + QK_K / 32 },
  { id: 30, name: 'BF16', blockSize: 1, typeSize: 2 },
  { id: 31, name: 'Q4_0_4_4', blockSize: 32, typeSize: 2 + 16, removed: true },
  { id: 32, name: 'Q4_0_4_8', blockSize: 32, typeSize: 2 + 16, removed: true },
  { id: 33, name: 'Q4_0_8_8', blockSize: 32, typeSize: 2 + 16, removed: true },
  { id: 34, name: 'TQ1_0', blockSize: QK_K, typeSize: 2 + 4 * 13 },
  { id: 35, name: 'TQ2_0', blockSize: QK_K, typeSize: 2 + 64 },
  { id: 36, name: 'IQ4_NL_4_4', blockSize: 32, typeSize: 2 + 16, removed: true },
  { id: 37, name: 'IQ4_NL_4_8', blockSize: 32, typeSize: 2 + 16, removed: true },
  { id: 38, name: 'IQ4_NL_8_8', blockSize: 32, typeSize: 2 + 16, removed: true },
  { id: 39, name: 'MXFP4', blockSize: 32, typeSize: 1 + 16 },
  { id: 40, name: 'NVFP4', blockSize: 64, typeSize: 4 + 32 },
  { id: 41, name: 'Q1_0', blockSize: 128, typeSize: 2 + 16 },
  { id: 42, name: 'Q2_0', blockSize: 64, typeSize: 2 + 16 },
];

const BY_ID = new Map(GGML_TYPES.map((t) => [t.id, t]));
const BY_NAME = new Map(GGML_TYPES.map((t) => [t.name, t]));

export const ggmlType = (id: number): GgmlType | undefined => BY_ID.get(id);
export const ggmlTypeByName = (name: string): GgmlType | undefined => BY_NAME.get(name.toUpperCase());
export const bitsPerWeight = (t: GgmlType): number => (8 * t.typeSize) / t.blockSize;

/**
 * llama.cpp's `general.file_type` (enum llama_ftype): the recipe the file was
 * quantised with. A Q4_K_M file mixes Q4_K and Q6_K tensors; this names the recipe.
 */
export const LLAMA_FILE_TYPES: ReadonlyMap<number, string> = new Map([
  [0, 'ALL_F32'],
  [1, 'MOSTLY_F16'],
  [2, 'MOSTLY_Q4_0'],
  [3, 'MOSTLY_Q4_1'],
  [4, 'MOSTLY_Q4_1_SOME_F16'],
  [5, 'MOSTLY_Q4_2 (removed)'],
  [6, 'MOSTLY_Q4_3 (removed)'],
  [7, 'MOSTLY_Q8_0'],
  [8, 'MOSTLY_Q5_0'],
  [9, 'MOSTLY_Q5_1'],
  [10, 'MOSTLY_Q2_K'],
  [11, 'MOSTLY_Q3_K_S'],
  [12, 'MOSTLY_Q3_K_M'],
  [13, 'MOSTLY_Q3_K_L'],
  [14, 'MOSTLY_Q4_K_S'],
  [15, 'MOSTLY_Q4_K_M'],
  [16, 'MOSTLY_Q5_K_S'],
  [17, 'MOSTLY_Q5_K_M'],
  [18, 'MOSTLY_Q6_K'],
  [19, 'MOSTLY_IQ2_XXS'],
  [20, 'MOSTLY_IQ2_XS'],
  [21, 'MOSTLY_Q2_K_S'],
  [22, 'MOSTLY_IQ3_XS'],
  [23, 'MOSTLY_IQ3_XXS'],
  [24, 'MOSTLY_IQ1_S'],
  [25, 'MOSTLY_IQ4_NL'],
  [26, 'MOSTLY_IQ3_S'],
  [27, 'MOSTLY_IQ3_M'],
  [28, 'MOSTLY_IQ2_S'],
  [29, 'MOSTLY_IQ2_M'],
  [30, 'MOSTLY_IQ4_XS'],
  [31, 'MOSTLY_IQ1_M'],
  [32, 'MOSTLY_BF16'],
  [33, 'MOSTLY_Q4_0_4_4 (removed)'],
  [34, 'MOSTLY_Q4_0_4_8 (removed)'],
  [35, 'MOSTLY_Q4_0_8_8 (removed)'],
  [36, 'MOSTLY_TQ1_0'],
  [37, 'MOSTLY_TQ2_0'],
  [38, 'MOSTLY_MXFP4_MOE'],
  [39, 'MOSTLY_NVFP4'],
  [40, 'MOSTLY_Q1_0'],
  [41, 'MOSTLY_Q2_0'],
]);
