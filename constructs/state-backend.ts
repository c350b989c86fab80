import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from "cdktf";
import { Topology } from "../config/model";
import { stateKey } from "../config/naming";

/**
 * Points a stack at its remote state: an S3 object `<keyPrefix>/<stack>.tfstate` (encrypted,
 * locked) or a Terraform Cloud workspace `<workspacePrefix><stack>`.
 */
export function useRemoteState(stack: TerraformStack, name: string, topology: Topology): void {
  const s = topology.state;
  if (s.backend === "cloud") {
    new CloudBackend(stack, {
      organization: s.organization,
      hostname: s.hostname,
      workspaces: new NamedCloudWorkspace(`${s.workspacePrefix}${name}`),
    });
    return;
  }
  new S3Backend(stack, {
    bucket: s.bucket,
    key: stateKey(s.keyPrefix, name),
    region: s.region,
    encrypt: true,
    dynamodbTable: s.locking === "dynamodb" ? s.dynamodbTable : undefined,
    assumeRole: s.roleArn ? { roleArn: s.roleArn, sessionName: `${topology.project}-state-${name}`.slice(0, 64) } : undefined,
  });
  // S3 native locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no property for it yet.
  if (s.locking === "lockfile") stack.addOverride("terraform.backend.s3.use_lockfile", true);
}

/**
 * Keeps a stack's state in a local file (the bootstrap stack, which makes the state bucket).
 * @param statePath the file, relative to the stack's folder in the output; it must lie outside
 *   the output folder, which every synth replaces
 */
export function useLocalState(stack: TerraformStack, statePath: string): void {
  new LocalBackend(stack, { path: statePath });
}
