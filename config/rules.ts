/**
 * The rules of TOPOLOGY.md that relate one part of a topology to another: references,
 * uniqueness, the RAM table, names that must not meet, name lengths, no Terraform templates. They read the file as written, defensively, so
 * they run even when the shape check found problems, and the user gets every error at once.
 * Each concern has its file under config/rules/; this one runs them in order.
 */
import { Problem } from "./errors";
import * as f from "./formats";
import { checkAccounts, checkState, checkTags } from "./rules/accounts";
import { Checker, obj, region, str, viewAccounts } from "./rules/common";
import { checkInterpolation } from "./rules/interpolation";
import { checkNameLengths } from "./rules/lengths";
import { checkIamNames, checkModelPackageGroups, checkScopeOverlaps } from "./rules/names";
import { checkNetwork } from "./rules/network";
import { checkOrganization, checkRamShares } from "./rules/organization";
import { checkPipeline } from "./rules/pipeline";
import { checkProjects, checkSagemaker } from "./rules/sagemaker";
import { checkDatasets, checkModelArtifacts } from "./rules/sharing";
import { checkExistingData } from "./rules/existing";
import { checkTables } from "./rules/tables";

export { RESERVED_STACK_NAMES } from "./rules/accounts";

/**
 * Checks every cross-reference rule of a topology and returns the problems found (empty
 * when none). `raw` is the parsed file; it may be partly malformed.
 */
export function checkRules(raw: unknown, baseDir: string = process.cwd()): Problem[] {
  const c = new Checker();
  const t = obj(raw);
  if (!t) return c.problems;
  const project = str(t.project);
  const defaultRegion = region(t.defaultRegion);
  const acc = viewAccounts(t, defaultRegion);

  checkInterpolation(c, t);
  checkAccounts(c, t, acc);
  const ous = checkOrganization(c, t, acc);
  checkState(c, t, acc);
  checkTags(c, t);
  const datasetConsumers = checkDatasets(c, t, acc);
  checkExistingData(c, t, acc, baseDir);
  const artifactReaders = checkModelArtifacts(c, t, acc);
  checkSagemaker(c, t, acc, datasetConsumers, artifactReaders);
  checkTables(c, t, acc);
  checkProjects(c, t, acc);
  checkNetwork(c, t);
  checkRamShares(c, t, acc, ous);
  checkScopeOverlaps(c, t, acc);
  checkModelPackageGroups(c, t, acc);
  checkPipeline(c, t, acc, project && PROJECT_OK(project) ? project : undefined);
  if (project && PROJECT_OK(project)) {
    checkNameLengths(c, t, acc, project);
    checkIamNames(c, t, acc, project);
  }
  return c.problems;
}

const PROJECT_OK = (p: string) => f.PROJECT.pattern.test(p);
