#include "picket/sim/sensor_model.h"

#include "picket/sim/adsb.h"
#include "picket/sim/aerostat.h"
#include "picket/sim/camera.h"
#include "picket/sim/fence_sensor.h"
#include "picket/sim/radar.h"

namespace picket::sim {

// The list of sensor models. Add a model here (one line) when its type gets one.
std::unique_ptr<SensorModel> make_sensor_model(const ModelContext& ctx) {
  switch (ctx.def.type) {
    case SensorType::radar:
      return std::make_unique<RadarModel>(ctx);
    case SensorType::camera:
      return std::make_unique<CameraModel>(ctx);
    case SensorType::fence:
      return std::make_unique<FenceSensorModel>(ctx);
    case SensorType::adsb:
      return std::make_unique<AdsbModel>(ctx);
    case SensorType::aerostat:
      return std::make_unique<AerostatModel>(ctx);
    case SensorType::acoustic:
      return nullptr;  // acoustic sensors report point events only (wide_area.h)
  }
  return nullptr;
}

}  // namespace picket::sim
