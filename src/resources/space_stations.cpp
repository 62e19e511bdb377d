#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::ColumnType;

void declare_space_stations(model::Registry& r) {
  KindBuilder{r.kind("space_station_status")}.text({"name"});
  KindBuilder{r.kind("space_station_type")}.text({"name"});
  KindBuilder{r.kind("space_station")}
      .text({"name"})
      .fk("image", "image")
      .fk("status", "space_station_status")
      .col("founded", ColumnType::Date)
      .col("deorbited", ColumnType::Date)
      .text({"description", "orbit"})  // LL2 prints the orbit as a string
      .fk("type", "space_station_type");

  r.view("SpaceStationStatus", "space_station_status", {id(), col("name")});
  r.view("SpaceStationType", "space_station_type", {id(), col("name")});
  r.view("SpaceStationMini", "space_station",
         {id(), url("space_stations"), col("name"), nested("image", "Image")});
  r.view("SpaceStationNormal", "space_station",
         {nested("status", "SpaceStationStatus"), col("founded"), col("deorbited"),
          col("description"), col("orbit"), nested("type", "SpaceStationType")})
      .extends("SpaceStationMini");
}

}  // namespace ll2::resources
