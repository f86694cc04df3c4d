package main

import "context"

func (m *Main) runCameras(ctx context.Context, args []string) error {
	return usageErr("cameras: not available yet")
}
