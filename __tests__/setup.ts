// cdktf's jest matchers (toHaveResource, toHaveProvider, ...) for every test file.
import { Testing } from "cdktf";

Testing.setupJest();
