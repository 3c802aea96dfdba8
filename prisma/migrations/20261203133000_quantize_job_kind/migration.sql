-- QUANTIZE jobs: `models quantize` run through the job queue (GraphQL quantizeModelSet).
ALTER TYPE "JobKind" ADD VALUE 'QUANTIZE';
