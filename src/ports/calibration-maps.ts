import { type CalibrationMap, calibrationMapId } from '../core/analysis/calibration.ts';

/** What a map is looked up by: the analyzer that answered, its model, and the prompt version. */
export interface CalibrationKey {
  analyzer: string;
  model: string | null;
  promptVersion: string;
}

/** The fitted calibration maps (calibration/*.json), one per analyzer, model and prompt version. */
export interface CalibrationMaps {
  /** The map fitted for exactly this analyzer, model and prompt version, or null. */
  find(key: CalibrationKey): CalibrationMap | null;
  /** Every map there is. */
  list(): readonly CalibrationMap[];
}

/** Maps held in memory (the file adapter loads into one; tests hand their own). */
export function calibrationMaps(maps: readonly CalibrationMap[]): CalibrationMaps {
  const byId = new Map<string, CalibrationMap>();
  for (const m of maps) {
    const id = calibrationMapId(m);
    if (byId.has(id)) throw new Error(`two calibration maps for ${id}`);
    byId.set(id, m);
  }
  return {
    find: (key) => byId.get(calibrationMapId(key)) ?? null,
    list: () => [...byId.values()],
  };
}
