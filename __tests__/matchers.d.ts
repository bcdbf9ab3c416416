// the cdktf jest matchers' types (registered in setup.ts)
import 'cdktf/lib/testing/adapters/jest';
