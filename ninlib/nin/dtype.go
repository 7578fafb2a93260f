package nin

import "github.com/gomlx/compute/dtypes"

// dtypeF32 is the dtype of all model variables and activations.
const dtypeF32 = dtypes.Float32
