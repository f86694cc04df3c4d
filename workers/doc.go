// Package workers runs confmedia's background work on asynq queues in Redis:
// processing uploaded media (metadata, renditions, tagging), re-tagging after
// a schedule or clock change, and matching recordings to talks.
//
// Task types, payloads and constructors are in tasks.go; the handlers are
// methods on Handlers, a struct of dependencies; Queue enqueues and inspects.
// It is the only package besides cmd that imports asynq. Many worker
// processes on many machines may share one Redis.
package workers
