// Types of cdktf's jest matchers (registered in setup.ts).
import "cdktf/lib/testing/adapters/jest";
