// Package caffe holds the conventions of the released NIN (a Caffe model)
// that both the reference model and the Go backend's formulations follow.
package caffe

// PoolOut is the output size of a k x k, stride-s pool over n pixels in
// Caffe's ceil mode (32 -> 16 -> 8 for 3x3 stride 2): the output size is
// rounded up, but the last window must start inside the image.
func PoolOut(n, k, s int) int {
	out := (n-k+s-1)/s + 1
	if (out-1)*s >= n {
		out--
	}
	return out
}
