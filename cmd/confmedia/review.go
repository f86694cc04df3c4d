package main

import "context"

func (m *Main) runReviewList(ctx context.Context, args []string) error {
	return usageErr("review list: not available yet")
}

func (m *Main) runReviewResolve(ctx context.Context, args []string) error {
	return usageErr("review resolve: not available yet")
}

func (m *Main) runMediaHide(ctx context.Context, args []string) error {
	return usageErr("media hide: not available yet")
}

func (m *Main) runOptOut(ctx context.Context, args []string) error {
	return usageErr("optout: not available yet")
}
