// cdktf's jest matchers (toHaveResource, toHaveProvider, ...) for every test file.
import { Testing } from "cdktf";
import { removeTempDirs } from "./helpers/tmp";

Testing.setupJest();

// Every test file removes the temporary folders it made (helpers/tmp.ts).
afterAll(removeTempDirs);
