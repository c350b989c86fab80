import { parseText, validateTopology, loadTopology } from "../config/load";
import { TopologyError } from "../config/errors";
import { referenceInput as R, problemsOf as P } from "../__tests__/helpers/topology";
for (const text of ["", "version: 1\nproject: [a\n", "version: 1\nversion: 2\n", "a: b\n  c: d\n", "{\"version\": 1,, }", "- 1\n- 2\n"]) {
  const r = parseText(text); console.log(JSON.stringify(text), r.problems, r.value);
  if (!r.problems.length) { try { validateTopology(r.value, "x.yaml"); } catch (e) { console.log((e as Error).message); } }
}
try { loadTopology("/nonexistent/t.yaml"); } catch (e) { console.log((e as Error).message); }
try { loadTopology("/tmp"); } catch (e) { console.log((e as Error).message); }
const t = R(); t.accounts["ml-dev"].foo = 1; t.sagemaker.domains[0].users[0].foo = 1; t.sagemaker.foo = 1; t.compliance = { suppressions: [{ rule: "X", resource: "y", reason: "short", extra: 1 }] };
t.accounts["data-lake"] = "222"; t.mlProjects[0].foo = 1; t.organization.guardrails[0].foo = 1; t.organization.organizationalUnits[0].foo = 1; t.ramShares[0].resources[0].foo = 1; t.modelArtifacts[0].consumers[0].foo = 1;
console.log(P(t));
