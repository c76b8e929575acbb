// The engine's own shapes for images, typed with the engine's field names (as docker-py keeps
// them), open to fields newer engines add.

export interface ImageAttrs {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Parent?: string;
  Comment?: string;
  Created?: string;
  Author?: string;
  Architecture?: string;
  Variant?: string;
  Os?: string;
  Size?: number;
  Config?: { Labels?: Record<string, string> | null; Cmd?: string[] | null; Entrypoint?: string[] | null; Env?: string[] | null; [key: string]: unknown } | null;
  RootFS?: { Type: string; Layers?: string[] };
  [key: string]: unknown;
}

export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: number;
  Size: number;
  SharedSize: number;
  VirtualSize?: number;
  Labels: Record<string, string> | null;
  Containers: number;
  [key: string]: unknown;
}

export interface HistoryEntry {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
  [key: string]: unknown;
}

export interface DeleteResponseItem {
  Untagged?: string;
  Deleted?: string;
}

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
  [key: string]: unknown;
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  features?: string[];
}

export interface DistributionInspect {
  Descriptor: { mediaType: string; digest: string; size: number; [key: string]: unknown };
  Platforms: Platform[];
}
