package main

import (
	"context"
	"os"

	"github.com/confmedia/confmedia/cmd/confmedia/internal/services"
)

func (m *Main) runServices(ctx context.Context, args []string) error {
	fs := m.newFlagSet("services", "[--dir DIR] -- COMMAND [ARGS...]")
	dir := fs.String("dir", "", "folder for the services' data (default: a new temporary folder, removed after)")
	cmd, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(cmd) == 0 {
		fs.Usage()
		return usageErr("services needs a COMMAND to run")
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "confmedia-services-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	code, err := services.Run(ctx, *dir, m.logger(), cmd)
	if err != nil {
		return err
	}
	if code != 0 {
		return &exitError{code: code}
	}
	return nil
}
