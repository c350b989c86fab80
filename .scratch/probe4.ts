import { referenceInput as R, minimalInput as M, problemsOf as P } from "../__tests__/helpers/topology";
function show(label: string, mut: (t: any) => void, base = R) { const t = base(); mut(t); console.log("## " + label); for (const p of P(t)) console.log("   " + p); }
show("tags", t => { t.tags["aws:owner"] = "x"; t.tags.Team = "a#b"; t.tags.Num = 3; });
show("accounts missing", t => { delete t.accounts; });
show("min", t => { t.organization.guardrails[0].targets = []; t.sagemaker.domains[0].subnetIds = []; t.datasets[0].consumers[1].roles = []; t.ramShares[0].principals = []; });
show("types", t => { t.organization.ramSharingWithOrganization = "yes"; t.datasets = {}; t.accounts["ml-dev"] = null; });
show("env format", t => { t.environments = ["Dev"]; }, M);
show("name", t => { t.accounts.mgmt.email = "nope"; t.accounts.mgmt.name = "x".repeat(51); t.accounts.lake.name = ""; t.accounts.lake.email = "a@b.co"; }, M);
show("cloud", t => { t.state = { backend: "cloud", organization: "acme corp", workspacePrefix: "ml sharing", hostname: "TFE_x" }; }, M);
show("roleArn", t => { t.state.roleArn = "arn:aws:iam::1:role/x"; t.state.keyPrefix = "/x"; t.state.bucket = "Acme.TF"; t.state.region = "mars-1"; t.state.locking = "dynamodb"; t.state.dynamodbTable = "x"; }, M);
show("ou", t => { t.organization.organizationalUnits.push({ name: "-sandbox", id: "ou-1" }); });
show("lists not arrays", t => { t.datasets[0].consumers = "ml-dev"; });
