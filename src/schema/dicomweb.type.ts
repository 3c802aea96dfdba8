import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A DICOMweb archive the operator configured (DICOMWEB_SOURCES). Its URL and credentials are never shown.' })
export class DicomwebSource {
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'What pulls ask for: * (as stored) or a transfer syntax UID the archive transcodes to.' })
  transferSyntax!: string;
  @Field(() => Boolean, { description: 'Whether SRs of studies pulled from it reference the original UIDs.' }) linkage!: boolean;
}

@InputType({ description: 'Patient-free QIDO-RS criteria; every field optional.' })
export class DicomwebStudyQuery {
  @Field(() => String, { nullable: true, description: 'Inclusive, YYYY-MM-DD.' }) studyDateFrom?: string | null;
  @Field(() => String, { nullable: true, description: 'Inclusive, YYYY-MM-DD.' }) studyDateTo?: string | null;
  @Field(() => String, { nullable: true, description: 'A DICOM modality code, e.g. MR.' }) modality?: string | null;
  @Field(() => String, { nullable: true, description: 'Matched anywhere in the study description.' })
  studyDescriptionContains?: string | null;
  @Field(() => String, { nullable: true, description: 'Matched exactly at the source; never echoed, logged or stored.' })
  accessionNumber?: string | null;
  @Field(() => Int, { nullable: true, description: '1..200, default 50.' }) limit?: number | null;
  @Field(() => Int, { nullable: true }) offset?: number | null;
}

@ObjectType({ description: 'A study found at a DICOMweb source: study-level facts only, no patient attribute.' })
export class DicomwebStudy {
  @Field(() => String, { description: "The source's Study Instance UID: what importStudies takes." }) studyInstanceUid!: string;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) studyDate!: string | null;
  @Field(() => [String]) modalities!: string[];
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Int, { nullable: true }) seriesCount!: number | null;
  @Field(() => Int, { nullable: true }) instanceCount!: number | null;
}

@InputType()
export class StoreStudySrInput {
  @Field(() => ID) studyId!: string;
  @Field(() => String, { description: 'The DICOMweb source to store the SR to (STOW-RS).' }) source!: string;
  @Field(() => ID, { nullable: true, description: 'Default: the active model set.' }) modelSetId?: string | null;
}

@ObjectType({ description: 'An SR stored to a DICOMweb source.' })
export class StoredSr {
  @Field(() => String) sopInstanceUid!: string;
  @Field(() => String) studyInstanceUid!: string;
  @Field(() => Boolean, { description: "True when it references the source's original UIDs (linkage), false for pseudonyms." })
  linked!: boolean;
}
