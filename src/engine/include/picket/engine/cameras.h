// The live daemon's cameras: every camera of the site file that names a video `source` (a file,
// played in real time like a live camera, or an RTSP/HTTP stream) runs its CameraPipeline
// (video/pipeline.h: input with reconnect and frame dropping, motion and people detection,
// image-plane tracks, ground projection, evidence recorder) on a thread of its own. What a
// pipeline produces is posted to the event loop: placed detections and the camera's status
// reports (fault after a bounded outage, heartbeat) go to the engine like any sensor's, input
// events are logged and counted, and finished evidence goes to the store.
//
// Evidence: when an alarm is raised, every camera whose field of view covers the alarm's position
// (SensorDef::covers) is asked for its snapshot, crop and clip around the alarm time; the clip
// is complete `post` seconds later. A file source that ends starts again (a demo camera loops).
//
// Slew to cue: each camera with a `ptz` section (a source is not needed) has a SlewController
// (video/ptz.h) and its ONVIF PTZ client on a worker thread of its own, since an AbsoluteMove
// may block for its timeout. An alarm raised for a track takes the nearest free PTZ camera whose
// range reaches it; the camera follows the track's updates while the alarm is open and is
// released when the alarm is resolved or the track deleted. Requests are counted by result
// (`picket_ptz_requests_total`) and failures logged.
//
// Thread-safety: create, start, stop and request_evidence on the loop thread. Callbacks run on
// the loop thread (posted).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "picket/core/alarm.h"
#include "picket/core/metrics.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/core/types.h"
#include "picket/store/store.h"

namespace boost::asio {
class io_context;
}

namespace picket::engine {

struct CameraCallbacks {
  std::function<void(Detection&&)> detection;
  std::function<void(std::vector<store::EvidenceRow>&&)> evidence;  // one alarm, one camera
};

class LiveCameras {
 public:
  // The site's cameras with a source; none is not an error (size() == 0). An error lists every
  // camera configuration problem (file:line).
  static Result<std::unique_ptr<LiveCameras>> create(boost::asio::io_context& ioc, const Site& site,
                                                     Registry& metrics, CameraCallbacks callbacks);
  ~LiveCameras();
  LiveCameras(const LiveCameras&) = delete;
  LiveCameras& operator=(const LiveCameras&) = delete;

  void start();
  // Stops the threads; pending evidence is finished with the frames there are (marked
  // incomplete) and handed to the evidence callback on the calling thread.
  void stop();
  // An alarm event: on `raised`, the cameras that see the alarm's position record evidence, and
  // the nearest free PTZ camera in range is cued to its track; on `resolved` the PTZ camera
  // following it is released.
  void on_alarm(const AlarmEvent& e);
  // Track deltas: a PTZ camera follows its track's updates (re-aiming when it drifts) and lets go
  // when the track is deleted.
  void on_tracks(const std::vector<TrackState>& updated, const std::vector<std::uint64_t>& removed);

  std::size_t size() const;
  std::vector<std::string> ids() const;
  std::vector<std::string> ptz_ids() const;  // cameras with slew to cue

  struct Impl;

 private:
  explicit LiveCameras(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace picket::engine
