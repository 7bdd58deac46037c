"""The demo world that `make run` loads (`readmit demo`)."""
