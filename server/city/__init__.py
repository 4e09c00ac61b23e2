"""The city link: halls forward their tickets and survey scores to a central database
(:mod:`loket.server.city.forward`, `loket city forward`), and the city-wide view reads them
(:mod:`server.city.app`, `loket city serve`). See docs/deploy.md, "A city with several halls"."""
