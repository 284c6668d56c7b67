#include "picket/video/pipeline.h"

#include <fmt/format.h>

namespace picket::video {

CameraPipeline::CameraPipeline(CameraConfig config, const Clock& clock,
                               std::unique_ptr<Capture> capture, double start_t)
    : config_(std::move(config)),
      input_(config_.id, config_.source, config_.stream, clock, std::move(capture), start_t) {}

PipelineOutput CameraPipeline::step() {
  PipelineOutput out;
  if (failed_) return out;
  auto frame = input_.poll();
  if (frame && !analytics_) {
    auto a = CameraAnalytics::create(config_, frame->image.size(),
                                     input_.fps() > 0 ? input_.fps() : config_.frame_rate_hz);
    if (!a) {
      // Nothing this camera sees can be analysed: a fault the operator must fix.
      failed_ = true;
      out.events = input_.take_events();
      InputEvent e{InputEventKind::fault, frame->t,
                   "analytics cannot start: " + a.error().message()};
      out.events.push_back(e);
      if (auto d = status_detection(e, config_.id)) out.detections.push_back(*d);
      return out;
    }
    analytics_ = std::move(*a);
    // Evidence crops from ground positions need the model of these frames.
    evidence_ =
        std::make_unique<EvidenceRecorder>(config_.id, config_.evidence, analytics_->camera());
  }
  if (frame) {
    out.frame = true;
    out.t = frame->t;
    out.found = analytics_->process(frame->image, frame->t);
    for (const auto& d : out.found) {
      if (d.ground) out.detections.push_back(analytics_->to_detection(d, frame->t));
    }
    last_ = out.found;
    evidence_->add_frame(frame->image, frame->t);
  }
  out.events = input_.take_events();
  for (const auto& e : out.events) {
    if (auto d = status_detection(e, config_.id)) out.detections.push_back(*d);
    // A camera that is lost or ended will not bring the rest of the clip: finish what is
    // pending with what there is.
    if (evidence_ && (e.kind == InputEventKind::lost || e.kind == InputEventKind::ended)) {
      for (auto& ev : evidence_->flush())
        out.evidence.push_back(std::move(ev));
    }
  }
  if (evidence_) {
    for (auto& ev : evidence_->take_ready())
      out.evidence.push_back(std::move(ev));
  }
  return out;
}

void CameraPipeline::request_evidence(const std::string& alarm_id, double t,
                                      std::optional<std::int64_t> image_track,
                                      std::optional<Enu> position) {
  if (!evidence_) return;  // no frame yet: nothing to show
  EvidenceRequest r;
  r.alarm_id = alarm_id;
  r.t = t;
  r.position = position;
  if (image_track) {
    for (const auto& d : last_) {
      if (d.track_id == *image_track) r.box = d.image.box;
    }
  }
  evidence_->request(std::move(r));
}

std::vector<Evidence> CameraPipeline::flush_evidence() {
  if (!evidence_) return {};
  return evidence_->flush();
}

}  // namespace picket::video
