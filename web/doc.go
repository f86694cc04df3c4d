// Package web is confmedia's HTTP server: the JSON API the CLI and the web
// app speak, and the public media and catalog pages. It follows one shape:
// a table of routes, thin handlers, and use cases behind small interfaces.
//
// routes.go is the one table of routes: each route's pattern, the roles
// that may call it, its per-object rule (own camera, own uploads, own
// speaker page) and its handler. Handler registers those rows and nothing
// else, and the role test (access_test.go) calls every row as every role.
//
// The use cases are the interfaces of web/api (api.ReviewService,
// api.CameraService, api.TokenService, api.KindService,
// api.VideoService, api.ImportService, api.UploadService,
// api.PublishService). The server implements each in a service_*.go file
// over the catalog, the bucket and the queues, with no HTTP; web/client
// implements the same interfaces over HTTP for the CLI, and
// TestUseCasesAlike runs one suite on both. Who is asking travels in the
// context (roleOf, tokenName, identityOf). Handlers decode the request,
// call one use case and encode the answer or the error;
// TestHandlersAreThin keeps them from reaching the store, the bucket or the
// queues themselves, and lists the few that still do and why.
//
// The files go by audience:
//
//   - everyone: public_pages.go (schedule, talks, speakers), public_zip.go
//     (downloads and zips), public_private.go (what private speaker pages
//     leave public), public_api.go (the public JSON and bucket files),
//     health.go;
//   - photographers: photographer_upload.go (the CLI's upload and its
//     queue), photographer_upload_page.go (the browser's),
//     photographer_cameras.go (their cameras' clocks);
//   - the video team: videoteam.go (its page, attaching and adding
//     recordings), videoteam_export.go (the pyvideo export);
//   - organizers: organizer_pages.go (their pages, failed items on the
//     status page), organizer_review.go (review, bulk decisions, failed
//     items, hide, opt-outs), organizer_review_page.go (the review grid,
//     grouped and paged; static/review.js selects and decides in bulk),
//     organizer_kind.go, organizer_tokens.go
//     (links), api.go (imports, the catalog, publishing); staff.go holds
//     what the organizers' and the video team's pages share;
//   - the use cases: service_*.go, and service_shared.go for the steps
//     several share (re-tagging, hiding, republishing);
//   - every request: access.go (sign-in, sessions, CSRF, the role
//     guards), headers.go (security headers, body bounds), routes.go,
//     server.go (the Server, the one error writer), ui.go (templates).
//
// web/api holds the API's request and response types and the use case
// interfaces; web/client is the Go client the CLI uses, which imports
// web/api and not this package.
package web
