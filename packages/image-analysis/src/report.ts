import { AVERAGE_CHUNK_SIZES, ENGINE_AVERAGE_CHUNK_SIZE } from './chunk-sizes.ts';
import type { ChunkTable } from './chunk-table.ts';
import type { LayerCodec } from './layer-codec.ts';
import type { ChunkList, LayerFacts } from './layer-scan.ts';

/** Chunk figures of one chunking over a set of layers. */
export interface ChunkFigures {
  /** Chunks and bytes of the distinct layers, before dedup. */
  chunks: number;
  bytes: number;
  distinctChunks: number;
  distinctBytes: number;
  /** The distinct chunks as strata stores them (each a zstd frame, or raw when zstd does not help). */
  storedBytes: number;
}

export interface ChunkingFigures {
  avgSize: number;
  /** FastCDC over the layers as stored (compressed layers not expanded). */
  asStored: ChunkFigures;
  /** Tar-aware chunking of the uncompressed layer tars (with expansion). */
  expanded: ChunkFigures;
}

export interface DedupFigures {
  /** Layers as the manifests list them, and how many distinct blobs they are. */
  layers: number;
  distinctLayers: number;
  compressedBytes: number;
  distinctCompressedBytes: number;
  uncompressedBytes: number;
  distinctUncompressedBytes: number;
  /** Regular files in the distinct layers, and how many distinct contents (by sha256) they hold. */
  files: { count: number; bytes: number; distinctCount: number; distinctBytes: number };
  chunking: ChunkingFigures[];
  /** What strata would store for these layers' blobs, at the engine's average chunk size. */
  strata: {
    avgSize: number;
    storedBytes: number;
    expandedLayers: number;
    compressedLayers: number;
    /** Correction bytes of the expanded layers' reconstructions; null when not measured. */
    correctionBytes: number | null;
    /** compressedBytes / storedBytes. */
    dedupRatio: number;
  };
}

export interface ImageFigures extends DedupFigures {
  name: string;
  input: string;
}

export interface LayerSummary {
  digest: string;
  codec: LayerCodec;
  storedBytes: number;
  uncompressedBytes: number;
  tar: boolean;
  files: number;
  expanded: boolean;
  correctionBytes: number | null;
  note: string;
}

export interface AnalysisReport {
  images: ImageFigures[];
  total: DedupFigures;
  /** Every distinct layer, in the order first read. */
  layers: LayerSummary[];
}

function chunkFigures(lists: readonly ChunkList[], table: ChunkTable): ChunkFigures {
  const figures: ChunkFigures = { chunks: 0, bytes: 0, distinctChunks: 0, distinctBytes: 0, storedBytes: 0 };
  const seen = new Set<string>();
  for (const list of lists) {
    for (let i = 0; i < list.keys.length; i++) {
      const key = list.keys[i]!;
      const size = list.sizes[i]!;
      figures.chunks++;
      figures.bytes += size;
      if (seen.has(key)) continue;
      seen.add(key);
      figures.distinctChunks++;
      figures.distinctBytes += size;
      figures.storedBytes += table.storedBytes(key);
    }
  }
  return figures;
}

/** Figures for a list of layers (with repeats, as manifests list them). */
export function dedupFigures(layers: readonly LayerFacts[], table: ChunkTable): DedupFigures {
  const distinct = [...new Map(layers.map((layer) => [layer.digest, layer])).values()];
  const sum = (list: readonly LayerFacts[], pick: (layer: LayerFacts) => number): number => list.reduce((total, layer) => total + pick(layer), 0);

  const files = { count: 0, bytes: 0, distinctCount: 0, distinctBytes: 0 };
  const fileSeen = new Set<string>();
  for (const layer of distinct) {
    for (let i = 0; i < layer.files.keys.length; i++) {
      const key = layer.files.keys[i]!;
      const size = layer.files.sizes[i]!;
      files.count++;
      files.bytes += size;
      if (fileSeen.has(key)) continue;
      fileSeen.add(key);
      files.distinctCount++;
      files.distinctBytes += size;
    }
  }

  const chunking = AVERAGE_CHUNK_SIZES.map((avgSize, i) => ({
    avgSize,
    asStored: chunkFigures(distinct.map((layer) => layer.asStored[i]!), table),
    expanded: chunkFigures(distinct.map((layer) => layer.expanded[i]!), table),
  }));

  const engine = AVERAGE_CHUNK_SIZES.indexOf(ENGINE_AVERAGE_CHUNK_SIZE as (typeof AVERAGE_CHUNK_SIZES)[number]);
  const expandedLayers = distinct.filter((layer) => layer.expansion.expanded);
  const stored = chunkFigures(distinct.map((layer) => (layer.expansion.expanded ? layer.expanded[engine]! : layer.asStored[engine]!)), table);
  const corrections = expandedLayers.map((layer) => layer.expansion.correctionBytes);
  const correctionBytes = corrections.some((bytes) => bytes === undefined) ? null : corrections.reduce<number>((total, bytes) => total + bytes!, 0);
  const storedBytes = stored.storedBytes + (correctionBytes ?? 0);
  const compressedBytes = sum(layers, (layer) => layer.storedBytes);

  return {
    layers: layers.length,
    distinctLayers: distinct.length,
    compressedBytes,
    distinctCompressedBytes: sum(distinct, (layer) => layer.storedBytes),
    uncompressedBytes: sum(layers, (layer) => layer.uncompressedBytes),
    distinctUncompressedBytes: sum(distinct, (layer) => layer.uncompressedBytes),
    files,
    chunking,
    strata: {
      avgSize: ENGINE_AVERAGE_CHUNK_SIZE,
      storedBytes,
      expandedLayers: expandedLayers.length,
      compressedLayers: distinct.length - expandedLayers.length,
      correctionBytes,
      dedupRatio: storedBytes > 0 ? compressedBytes / storedBytes : 0,
    },
  };
}

export function layerSummary(layer: LayerFacts): LayerSummary {
  return {
    digest: layer.digest,
    codec: layer.codec,
    storedBytes: layer.storedBytes,
    uncompressedBytes: layer.uncompressedBytes,
    tar: layer.tar,
    files: layer.files.keys.length,
    expanded: layer.expansion.expanded,
    correctionBytes: layer.expansion.correctionBytes ?? null,
    note: layer.expansion.note,
  };
}
