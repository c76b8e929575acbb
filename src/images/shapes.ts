// The shape of every JSON answer an image operation reads: what the code after it relies on,
// nothing more (fields nobody reads are not checked). An engine may leave out, or send as null,
// what is typed optional or nullable here (seen: Docker 28's `Platforms: null`).
import { boolean, listOf, nullable, number, object, optional, recordOf, string, type Shape } from '../shape.js';
import type {
  AttestationStatement,
  DeleteResponseItem,
  DistributionInspect,
  HistoryEntry,
  ImageAttrs,
  ImageManifestSummary,
  ImageSummary,
  Platform,
  SearchResult,
} from './types.js';

const strings = nullable(listOf(string));
const labels = nullable(recordOf(string));

const platform = object<Platform>({ os: string, architecture: string, variant: optional(string) });

const descriptor = object<{ mediaType: string; digest: string; size: number; platform?: Platform | null }>({
  mediaType: string,
  digest: string,
  size: number,
  platform: optional(nullable(platform)),
});

const manifests = optional(
  nullable(
    listOf(
      object<ImageManifestSummary>({
        ID: string,
        Descriptor: descriptor,
        Available: boolean,
        Size: object({ Total: number, Content: number }),
        Kind: string as Shape<ImageManifestSummary['Kind']>,
        ImageData: optional(
          nullable(
            object({
              Platform: platform,
              Containers: optional(nullable(listOf(string))),
              Size: object({ Unpacked: number }),
            }),
          ),
        ),
      }),
    ),
  ),
);

/** GET /images/{name}/json */
export const imageAttrs: Shape<ImageAttrs> = object<ImageAttrs>({
  Id: string,
  RepoTags: optional(strings),
  RepoDigests: optional(strings),
  Created: optional(string),
  Os: optional(string),
  Architecture: optional(string),
  Variant: optional(string),
  Size: optional(number),
  Config: optional(nullable(object({ Labels: optional(labels) }))),
  Manifests: manifests,
});

/** GET /images/json */
export const imageSummaries: Shape<ImageSummary[]> = listOf(
  object<ImageSummary>({ Id: string, RepoTags: optional(strings), Manifests: manifests }),
);

/** GET /images/{name}/history */
export const historyEntries: Shape<HistoryEntry[]> = listOf(
  object<HistoryEntry>({ Id: string, Created: number, CreatedBy: string, Tags: optional(strings), Size: number }),
);

/** DELETE /images/{name}, and POST /images/prune's ImagesDeleted */
export const deleteItems: Shape<DeleteResponseItem[]> = listOf(
  object<DeleteResponseItem>({ Untagged: optional(string), Deleted: optional(string) }),
);

/** POST /images/prune */
export const pruneAnswer = object<{ ImagesDeleted: DeleteResponseItem[] | null; SpaceReclaimed: number }>({
  ImagesDeleted: optional(nullable(deleteItems)),
  SpaceReclaimed: optional(number),
});

/** POST /build/prune */
export const pruneBuildsAnswer = object<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>({
  CachesDeleted: optional(strings),
  SpaceReclaimed: optional(number),
});

/** What Podman's compat API answers per search result (it searches a registry's /v2/_catalog, not v1 search). */
export interface PodmanSearchResult {
  Name: string;
  Description?: string;
  Stars?: number;
  Official?: string;
  Automated?: string;
  [key: string]: unknown;
}

/** True for a search result with Podman's capitalised fields rather than Docker's. */
export function isPodmanSearchResult(value: unknown): value is PodmanSearchResult {
  return value !== null && typeof value === 'object' && 'Name' in value && !('name' in value);
}

/** GET /images/search: Docker's fields, or Podman's capitalised ones */
export const searchResults: Shape<Array<SearchResult | PodmanSearchResult>> = listOf((value: unknown, at: string) =>
  isPodmanSearchResult(value)
    ? object<PodmanSearchResult>({
        Name: string,
        Description: optional(string),
        Stars: optional(number),
        Official: optional(string),
        Automated: optional(string),
      })(value, at)
    : object<SearchResult>({
        name: string,
        description: optional(string),
        star_count: optional(number),
        is_official: optional(boolean),
        is_automated: optional(boolean),
      })(value, at),
);

/** GET /distribution/{name}/json */
export const distributionInspect: Shape<DistributionInspect> = object<DistributionInspect>({
  Descriptor: descriptor,
  Platforms: optional(nullable(listOf(platform))),
});

/** POST /auth */
export const authAnswer = object<{ Status: string; IdentityToken?: string }>({
  Status: string,
  IdentityToken: optional(string),
});

/** GET /images/{name}/attestations: null when there are none */
export const attestationStatements: Shape<AttestationStatement[] | null> = nullable(
  listOf(
    object<AttestationStatement>({
      Descriptor: descriptor,
      PredicateType: string,
      Statement: optional(object({ _type: string })),
    }),
  ),
);

/** GET /version */
export const versionAnswer = object<{ Version: string; ApiVersion: string; Os: string; Arch: string }>({
  Version: string,
  ApiVersion: string,
  Os: string,
  Arch: string,
});
