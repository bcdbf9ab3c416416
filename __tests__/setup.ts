import { Testing } from 'cdktf';

// registers cdktf's jest matchers (toHaveResourceWithProperties, ...)
Testing.setupJest();
