package api

import "context"

// FacesService is what face recognition keeps, for the organizers.
type FacesService interface {
	// ForgetFaces deletes every speaker's face descriptor and every
	// photo's recognised speakers (catalog.ForgetFaces): what turning
	// CONFMEDIA_FACE_RECOGNITION off for good leaves behind is nothing.
	ForgetFaces(ctx context.Context) (ForgetFacesResponse, error)
}

// ForgetFacesResponse says what ForgetFaces deleted.
type ForgetFacesResponse struct {
	Descriptors int `json:"descriptors"` // speakers' face descriptors deleted
	Photos      int `json:"photos"`      // items whose recognised speakers were cleared
}
