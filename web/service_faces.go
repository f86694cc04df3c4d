package web

import (
	"context"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// PhotosOfYou returns the photos speaker id's face was recognised in
// (catalog.Media.Recognized) that are in the public catalog, in its order
// of capture time: what face recognition found, for that speaker and the
// organizers (the route table's ownFaces rule). It asks the store for the
// speaker's items only, and keeps those the public view holds, so that a
// photo taken down meanwhile is not listed. Nothing when recognition is
// off (FaceRecognition).
func (s *Server) PhotosOfYou(ctx context.Context, id string) ([]catalog.DocMedia, error) {
	if !s.FaceRecognition {
		return nil, nil
	}
	idx, err := s.publicIndex(ctx)
	if err != nil {
		return nil, err
	}
	items, err := s.Store.ListMedia(ctx, catalog.MediaFilter{Recognized: id, Kind: catalog.Photo,
		Status: []catalog.Status{catalog.Tagged, catalog.Untagged}})
	if err != nil {
		return nil, err
	}
	out := []catalog.DocMedia{}
	for _, m := range items {
		if dm, ok := idx.Media(m.ID); ok {
			out = append(out, dm)
		}
	}
	return out, nil
}

// ForgetFaces deletes every face descriptor and every item's recognised
// speakers (catalog.ForgetFaces). Neither was ever published, so nothing
// is republished. With recognition still on, the workers learn the faces
// of headshots processed afterwards again.
func (s *Server) ForgetFaces(ctx context.Context) (api.ForgetFacesResponse, error) {
	descs, photos, err := catalog.ForgetFaces(ctx, s.Store)
	if err != nil {
		return api.ForgetFacesResponse{}, err
	}
	s.Logger.InfoContext(ctx, "face recognition data deleted", "descriptors", descs, "photos", photos)
	return api.ForgetFacesResponse{Descriptors: descs, Photos: photos}, nil
}

var _ api.FacesService = (*Server)(nil)
