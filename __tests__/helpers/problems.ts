/**
 * Shortcuts for validation tests: change a topology, read the problems it then has.
 */
import { problemsOf, referenceInput } from "./topology";

/** The known account keys of the reference topology, as the "known:" part of messages lists them. */
export const REFERENCE_ACCOUNTS = "management, data-lake, ml-dev, ml-staging, ml-prod";

/**
 * The problems ("path: message" lines) of a topology after `change`; the topology starts as
 * the reference one unless `base` makes another.
 */
export function problemsAfter(change: (t: any) => void, base: () => any = referenceInput): string[] {
  const t = base();
  change(t);
  return problemsOf(t);
}
