// Kalman filters of a box moving in the image at constant velocity. Two published models:
//
//  - XyahFilter, ByteTrack's (Y. Zhang et al., "ByteTrack: Multi-Object Tracking by Associating
//    Every Detection Box", ECCV 2022; the model of DeepSORT, N. Wojke et al., ICIP 2017): state
//    (cx, cy, a, h, vcx, vcy, va, vh) with a = w / h; noise proportional to the box height
//    (position 1/20, velocity 1/160 of h per frame).
//  - XywhFilter, BoT-SORT's (N. Aharon, R. Orfaig, B.-Z. Bobrovsky, "BoT-SORT: Robust
//    Associations Multi-Pedestrian Tracking", arXiv:2206.14651, 2022): state (cx, cy, w, h,
//    vcx, vcy, vw, vh), noise proportional to w for x and width terms and to h for y and height
//    terms. Width and height adapt independently, so the box fits detectors whose boxes change
//    shape (the aspect of the xyah model barely moves: its noise is 1e-2 per frame).
//  - XysrFilter, SORT's (A. Bewley et al., "Simple Online and Realtime Tracking", ICIP 2016):
//    state (cx, cy, s, r, vcx, vcy, vs) with s = area and r = w / h held constant.
//
// Time is measured in nominal frame intervals (dt = elapsed seconds x nominal frame rate): the
// published noise levels are per frame, and a frame that arrives late or a skipped frame simply
// gives dt != 1 (process noise grows linearly with dt). predict() rejects negative dt by
// asserting; callers check time order first.
//
// Thread-safety: plain values.
#pragma once

#include <Eigen/Core>

#include "picket/imagetrack/box.h"

namespace picket::imagetrack {

class XyahFilter {
 public:
  using State = Eigen::Matrix<double, 8, 1>;
  using Cov = Eigen::Matrix<double, 8, 8>;
  explicit XyahFilter(const Box& b);
  // zero_height_rate: ByteTrack stops the height change of tracks that are not being detected.
  void predict(double dt_frames, bool zero_height_rate);
  void update(const Box& b);
  Box box() const;
  bool valid() const;
  const State& mean() const { return x_; }
  const Cov& cov() const { return P_; }

 private:
  State x_;
  Cov P_;
};

class XywhFilter {
 public:
  using State = Eigen::Matrix<double, 8, 1>;
  using Cov = Eigen::Matrix<double, 8, 8>;
  explicit XywhFilter(const Box& b);
  // zero_size_rate: BoT-SORT stops the size change of tracks that are not being detected.
  void predict(double dt_frames, bool zero_size_rate);
  void update(const Box& b);
  Box box() const;
  bool valid() const;
  const State& mean() const { return x_; }
  const Cov& cov() const { return P_; }

 private:
  State x_;
  Cov P_;
};

class XysrFilter {
 public:
  using State = Eigen::Matrix<double, 7, 1>;
  using Cov = Eigen::Matrix<double, 7, 7>;
  explicit XysrFilter(const Box& b);
  void predict(double dt_frames);
  void update(const Box& b);
  Box box() const;  // NaN-free only when valid()
  bool valid() const;
  const State& mean() const { return x_; }
  const Cov& cov() const { return P_; }

 private:
  State x_;
  Cov P_;
};

}  // namespace picket::imagetrack
