import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { type CalibrationMap, calibrationMapId, mapProblems } from '../../core/analysis/calibration.ts';
import { type CalibrationMaps, calibrationMaps } from '../../ports/calibration-maps.ts';

/** The versioned maps shipped with chartlens: calibration/ at the top of the repository. */
export const CALIBRATION_DIR = fileURLToPath(new URL('../../../calibration/', import.meta.url));

const unit = z.number().min(0).max(1);

/** A map file, exactly (see src/core/analysis/calibration.ts). */
export const calibrationMapSchema = z
  .object({
    version: z.number().int().min(1),
    analyzer: z.string().min(1),
    model: z.string().min(1).nullable(),
    promptVersion: z.string().min(1),
    horizonBars: z.number().int().min(1),
    fittedOn: z
      .object({
        from: z.string().min(1),
        to: z.string().min(1),
        calls: z.number().int().min(1),
        source: z.string(),
        window: z.number().int().min(1),
        step: z.number().int().min(1),
      })
      .strict(),
    method: z.string(),
    shrinkage: z.number().min(0),
    baseRate: unit,
    bins: z.array(z.object({ from: unit, to: unit, n: z.number().int().min(1), hitRate: unit }).strict()).min(1),
  })
  .strict();

/**
 * A map from its JSON, or an error naming the file and what is wrong: the schema, steps that are
 * out of order or fall, or a file name that is not the map's id (`local.analyze.v1.json`).
 */
export function parseCalibrationMap(json: unknown, file: string): CalibrationMap {
  const parsed = calibrationMapSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`calibration map ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const map: CalibrationMap = parsed.data;
  const problems = mapProblems(map);
  if (problems.length > 0) throw new Error(`calibration map ${file}: ${problems.join('; ')}`);
  const id = calibrationMapId(map);
  if (basename(file) !== `${id}.json`) throw new Error(`calibration map ${file}: its analyzer, model and prompt version make it ${id}.json`);
  return map;
}

/** Every *.json map of a folder, validated; a missing folder has none. */
export function loadCalibrationMaps(dir: string = CALIBRATION_DIR): CalibrationMap[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return [];
    throw err;
  }
  return names.map((name) => {
    const file = join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`calibration map ${file}: not valid JSON (${(err as Error).message})`, { cause: err });
    }
    return parseCalibrationMap(json, file);
  });
}

/** The maps of calibration/ (or another folder), loaded once. */
export function fileCalibrationMaps(dir: string = CALIBRATION_DIR): CalibrationMaps {
  return calibrationMaps(loadCalibrationMaps(dir));
}
