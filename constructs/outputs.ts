/** Helpers for stack outputs. */
import { TerraformOutput } from "cdktf";

/**
 * `{ [key]: value }` when there is a value, `{}` otherwise: Terraform outputs cannot hold
 * null, so absent values are left out of output objects.
 */
export function optional<T>(key: string, value: T | undefined): Record<string, T> {
  return value === undefined ? {} : { [key]: value };
}

/**
 * An output whose value is data built from the topology: strings, numbers, booleans, lists
 * and maps of them (a token of the stack's own attributes is fine, a construct is not).
 * cdktf copies an output's value before resolving it, to turn constructs into their
 * addresses; data has none, and the resolution copies it anyway, so the value goes to it as
 * it is. The datasets outputs of the largest organization hold 36 MB of such data.
 */
export class DataOutput extends TerraformOutput {
  protected synthesizeAttributes(): { [key: string]: any } {
    // Overrides are merged into what this returns: then the value must be cdktf's own copy.
    if (Object.keys(this.rawOverrides).length) return super.synthesizeAttributes();
    return {
      value: this.value,
      description: this.description,
      sensitive: this.sensitive,
      depends_on: this.dependsOn?.map((resource) => resource.fqn),
    };
  }
}
