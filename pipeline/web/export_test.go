package web

// QueuedUploads is how many uploads wait for the Writer, no batch having
// taken them yet: for the test that holds the Writer until they all wait.
func (s *Server) QueuedUploads() int {
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	return len(s.uploads.waiting)
}
