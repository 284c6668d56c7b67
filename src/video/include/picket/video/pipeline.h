// One camera end to end, for the live daemon: its video input (reconnecting, dropping frames it
// cannot keep up with), its analytics and image tracks, the detections it sends to the tracker,
// its fault and recovery reports, and its evidence recorder. The engine runs one pipeline per
// camera on the camera's own thread, calling step() in a loop, and hands the outputs on
// (detections to the tracker's queue, evidence to the store's EvidenceSink).
//
// The analytics start with the first frame (they need its size); if they cannot (a model file
// that is not a model, frames of another shape than the site file says), the pipeline reports a
// camera fault with the reason and stops.
//
// Thread-safety: a pipeline belongs to one thread; request_evidence must be called from it too
// (the engine posts alarm requests to the camera's queue).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "picket/core/types.h"
#include "picket/video/analytics.h"
#include "picket/video/camera_config.h"
#include "picket/video/evidence.h"
#include "picket/video/source.h"

namespace picket::video {

struct PipelineOutput {
  bool frame = false;                  // a frame was analysed in this step
  double t = 0;                        // its time
  std::vector<Detection> detections;   // placed detections, then status reports
  std::vector<CameraDetection> found;  // the same with their boxes (for display)
  std::vector<InputEvent> events;      // input events of this step
  std::vector<Evidence> evidence;      // finished evidence, for the store
};

class CameraPipeline {
 public:
  // `capture`: the input's back-end (nullptr: chosen by the source).
  CameraPipeline(CameraConfig config, const Clock& clock,
                 std::unique_ptr<Capture> capture = nullptr, double start_t = 0);

  // Polls the input once and analyses the frame if one is due.
  PipelineOutput step();

  // An alarm wants this camera's evidence. The target is found by its image track id (the
  // `id` of this camera's detections that updated the alarm's track), else by its position.
  void request_evidence(const std::string& alarm_id, double t,
                        std::optional<std::int64_t> image_track, std::optional<Enu> position);

  // Finishes every pending evidence request with the frames there are (shutting down).
  std::vector<Evidence> flush_evidence();

  bool ended() const { return input_.ended() || failed_; }
  bool failed() const { return failed_; }
  const VideoInput& input() const { return input_; }
  const CameraAnalytics* analytics() const { return analytics_.get(); }
  const EvidenceRecorder* evidence() const { return evidence_.get(); }
  const CameraConfig& config() const { return config_; }

 private:
  CameraConfig config_;
  VideoInput input_;
  std::unique_ptr<CameraAnalytics> analytics_;
  std::unique_ptr<EvidenceRecorder> evidence_;
  std::vector<CameraDetection> last_;
  bool failed_ = false;
};

}  // namespace picket::video
