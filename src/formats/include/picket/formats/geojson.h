// GeoJSON (RFC 7946) views of a site: fences, their numbered segments, zones, sensors and each
// sensor's ground coverage, in WGS84 longitude/latitude. The console draws the site from this.
#pragma once

#include <string>

#include "picket/core/site.h"

namespace picket::formats {

// A FeatureCollection; every feature has properties.kind: "fence", "segment", "zone", "sensor"
// or "coverage", plus its id and descriptive fields.
std::string site_geojson(const Site& site, int indent = -1);

}  // namespace picket::formats
