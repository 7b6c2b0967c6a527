"""Places on the map: the spatial index, district outlines, the road network, the base map and editing area boundaries."""
