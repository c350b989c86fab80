/**
 * The plan of a model artifact set: its bucket and key in the owning account, read-only
 * grants for the consumer accounts' roles.
 */
import { ArtifactAccess, artifactAccesses } from "../config/grants";
import { Topology } from "../config/model";
import * as naming from "../config/naming";
import { Statement } from "../policies/document";
import { S3_LIST, S3_READ_OBJECTS } from "../policies/perms";
import { KeyUse } from "./key-plan";
import { admitRoles } from "./principals";

/** A model artifact bucket and who reaches it. */
export interface ArtifactPlan {
  readonly access: ArtifactAccess;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly keyAlias: string;
  /** The bucket policy's grant statements (readers of other accounts). */
  readonly grantStatements: readonly Statement[];
  /** The key uses of the readers of other accounts. */
  readonly keyUses: readonly KeyUse[];
}

/** Plans every model artifact set owned by an account. */
export function planArtifacts(topology: Topology, ownerKey?: string): ArtifactPlan[] {
  return artifactAccesses(topology)
    .filter((a) => ownerKey === undefined || a.owner.key === ownerKey)
    .map((access) => {
      const { owner, set } = access;
      const bucketName = naming.artifactBucketName(topology.project, set.name, owner.id, owner.region);
      const bucketArn = naming.bucketArn(owner.partition, bucketName);
      const grantStatements: Statement[] = [];
      if (access.readers.length) {
        const who = admitRoles(topology, access.readers);
        grantStatements.push(
          {
            sid: "ConsumersReadArtifacts",
            effect: "Allow",
            principals: who.principals,
            actions: [...S3_READ_OBJECTS],
            resources: [`${bucketArn}/*`],
            conditions: who.conditions,
          },
          {
            sid: "ConsumersListArtifacts",
            effect: "Allow",
            principals: who.principals,
            actions: [...S3_LIST],
            resources: [bucketArn],
            conditions: who.conditions,
          },
        );
      }
      return {
        access,
        bucketName,
        bucketArn,
        keyAlias: naming.artifactKeyAlias(topology.project, set.name),
        grantStatements,
        keyUses: access.readers.map((role) => ({ role, access: "read" as const })),
      };
    });
}
