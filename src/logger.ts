// Structured JSON logs. PHI never reaches a log line: the redaction list covers every field name that
// could carry a DICOM identifier, as a second line of defence behind de-identification at import.
import { pino, type Logger } from 'pino';

export type { Logger };

const PHI_PATHS = [
  'patientId',
  'patientName',
  'patientBirthDate',
  'PatientID',
  'PatientName',
  '*.patientId',
  '*.patientName',
  '*.PatientID',
  '*.PatientName',
  'req.headers.authorization',
  'headers.authorization',
  'token',
];

export function createLogger(level: string, name = 'spinegraph'): Logger {
  return pino({ name, level, redact: { paths: PHI_PATHS, censor: '[redacted]' }, base: { pid: process.pid } });
}
