package api

// Health is the body of /healthz. Anyone learns the status and which
// components are down; only an organizer learns the details (the errors,
// which may name hosts, ports and socket paths).
type Health struct {
	Status string   `json:"status"`         // "ok", "starting" or "unavailable"
	Down   []string `json:"down,omitempty"` // components that do not answer: "catalog", "s3", "redis"
	// Checks maps each component to "ok" or its error; organizers only.
	Checks map[string]string `json:"checks,omitempty"`
}
