/**
 * The cdktf app: `npx cdktf synth` runs this. It only wires things together; the topology
 * decides what is made (MLSHARE_CONFIG, default examples/reference.yaml).
 */
import { runSynth } from "./synth";

process.exitCode = runSynth();
