// Links that belong to one object and have no id of their own: info and video
// URLs (of launches, missions and events) and the dashboard's live streams.
// Each owner keeps its list in order (Rows).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::IdType;

void declare_urls(model::Registry& r) {
  KindBuilder{r.kind("info_url", IdType::None)}
      .integer({"priority"})
      .text({"source", "title", "description", "feature_image", "url"})
      .fk("type", "info_url_type")
      .fk("language", "language");
  KindBuilder{r.kind("vid_url", IdType::None)}
      .integer({"priority"})
      .text({"source", "publisher", "title", "description", "feature_image", "url"})
      .fk("type", "vid_url_type")
      .fk("language", "language")
      .datetime({"start_time", "end_time"})
      .boolean({"live"});
  KindBuilder{r.kind("live_stream", IdType::None)}.text({"title", "description", "image", "url"});

  r.view("InfoURL", "info_url",
         fields({cols({"priority", "source", "title", "description", "feature_image", "url"}),
                 {nested("type", "InfoURLType"), nested("language", "Language")}}));
  r.view("VidURL", "vid_url",
         fields({cols({"priority", "source", "publisher", "title", "description", "feature_image",
                       "url"}),
                 {nested("type", "VidURLType"), nested("language", "Language")},
                 cols({"start_time", "end_time", "live"})}));
  r.view("VidURLs", "live_stream", cols({"title", "description", "image", "url"}));
}

}  // namespace ll2::resources
