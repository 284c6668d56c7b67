// Drawing what the analytics found onto a frame, for people to look at: boxes coloured by class,
// the image-track id, class and score above each box, the ground position (east, north) and its
// one-sigma error below it, the masked regions shaded, and a time stamp.
//
// Thread-safety: pure functions on the caller's image.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

#include "picket/video/analytics.h"

namespace picket::video {

void draw_detections(cv::Mat& frame, const std::vector<CameraDetection>& detections,
                     const std::vector<std::vector<Eigen::Vector2d>>& masks, double mask_scale,
                     double t);

}  // namespace picket::video
