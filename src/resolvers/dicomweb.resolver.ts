import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { listSourcesForProject, searchSource } from '../services/dicomweb/dicomweb.use-cases.js';
import { storeStudySr } from '../services/sr/sr.use-cases.js';
import { DicomwebSource, DicomwebStudy, DicomwebStudyQuery, StoreStudySrInput, StoredSr } from '../schema/dicomweb.type.js';

@Resolver()
export class DicomwebResolver {
  @Query(() => [DicomwebSource], { description: 'The DICOMweb sources this project may use (names only; no URL, no credential).' })
  async dicomwebSources(@Ctx() ctx: RequestContext, @Arg('projectId', () => ID) projectId: string): Promise<DicomwebSource[]> {
    return listSourcesForProject(ctx, projectId);
  }

  @Query(() => [DicomwebStudy], { description: 'Searches a DICOMweb source (QIDO-RS) for studies; stores nothing.' })
  async dicomwebSearch(
    @Ctx() ctx: RequestContext,
    @Arg('source', () => String) source: string,
    @Arg('projectId', () => ID) projectId: string,
    @Arg('query', () => DicomwebStudyQuery, { nullable: true }) query: DicomwebStudyQuery | null,
  ): Promise<DicomwebStudy[]> {
    const hits = await searchSource(ctx, { source, projectId, criteria: query ?? {} });
    return hits.map((h) => ({ ...h, modalities: [...h.modalities] }));
  }

  @Mutation(() => StoredSr, { description: "Stores a study's results as a DICOM SR to a DICOMweb source (STOW-RS)." })
  async storeStudySr(@Ctx() ctx: RequestContext, @Arg('input', () => StoreStudySrInput) input: StoreStudySrInput): Promise<StoredSr> {
    return storeStudySr(ctx, input);
  }
}
