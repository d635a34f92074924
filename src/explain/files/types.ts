import type { Static } from '@sinclair/typebox';
import type {
  DiffReportSchema,
  FileReportSchema,
  FileTensorSchema,
  MemoryReportSchema,
  ValidateReportSchema,
} from './schema.js';

export type FileReport = Static<typeof FileReportSchema>;
export type FileTensor = Static<typeof FileTensorSchema>;
export type ValidateReport = Static<typeof ValidateReportSchema>;
export type DiffReport = Static<typeof DiffReportSchema>;
export type MemoryReport = Static<typeof MemoryReportSchema>;
