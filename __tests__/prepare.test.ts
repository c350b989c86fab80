/**
 * Stacks skip cdktf's preparing pass over their outputs (stacks/prepare.ts): the output of
 * every example is the same, byte for byte, as with cdktf's own pass.
 */
import { EXAMPLES, expectSameAsCdktf } from "./helpers/cdktf-baseline";

test.each(EXAMPLES)("%s synthesizes byte for byte as with cdktf's own preparing pass", (file) => expectSameAsCdktf(file, "prepareStack"));
