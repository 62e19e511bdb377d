// Agencies (/2.3.0/agencies/) and their social media links.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_agencies(model::Registry& r) {
  KindBuilder{r.kind("social_media")}.text({"name", "url"}).fk("logo", "image");
  KindBuilder{r.kind("social_media_link")}.fk("social_media", "social_media").text({"url"});
  KindBuilder{r.kind("agency")}
      .text({"name", "abbrev"})
      .fk("type", "agency_type")
      .boolean({"featured"})
      .m2m("country", "country")
      .text({"description", "administrator"})
      .integer({"founding_year"})
      .text({"launchers", "spacecraft", "parent"})  // LL2 prints these as plain strings
      .fk("image", "image")
      .fk("logo", "image")
      .fk("social_logo", "image")
      .integer({"total_launch_count", "consecutive_successful_launches", "successful_launches",
                "failed_launches", "pending_launches", "consecutive_successful_landings",
                "successful_landings", "failed_landings", "attempted_landings",
                "successful_landings_spacecraft", "failed_landings_spacecraft",
                "attempted_landings_spacecraft", "successful_landings_payload",
                "failed_landings_payload", "attempted_landings_payload"})
      .text({"info_url", "wiki_url"})
      .m2m("social_media_links", "social_media_link")
      // The configurations the agency manufactures, by name as LL2 lists them.
      .reverse("launcher_list", "launcher_config", "manufacturer", "name")
      .reverse("spacecraft_list", "spacecraft_config", "agency", "name");

  r.view("SocialMedia", "social_media", {id(), col("name"), col("url"), nested("logo", "Image")});
  r.view("SocialMediaLink", "social_media_link",
         {id(), nested("social_media", "SocialMedia"), col("url")});

  r.view("AgencyMini", "agency",
         {mode("list"), id(), url("agencies"), col("name"), col("abbrev"),
          nested("type", "AgencyType")});
  r.view("AgencyNormal", "agency",
         fields(
             {{mode("normal"), col("featured"), nested("country", "Country")},
              cols({"description", "administrator", "founding_year", "launchers", "spacecraft",
                    "parent"}),
              {nested("image", "Image"), nested("logo", "Image"), nested("social_logo", "Image")}}))
      .extends("AgencyMini");
  // LL2's AgencyDetailed (nested in missions, payloads, ...) says "normal".
  r.view("AgencyDetailed", "agency",
         fields({cols({"total_launch_count", "consecutive_successful_launches",
                       "successful_launches", "failed_launches", "pending_launches",
                       "consecutive_successful_landings", "successful_landings", "failed_landings",
                       "attempted_landings", "successful_landings_spacecraft",
                       "failed_landings_spacecraft", "attempted_landings_spacecraft",
                       "successful_landings_payload", "failed_landings_payload",
                       "attempted_landings_payload", "info_url", "wiki_url"}),
                 {nested("social_media_links", "SocialMediaLink")}}))
      .extends("AgencyNormal");
  r.view(
       "AgencyEndpointDetailed", "agency",
       {mode("detailed"), nested("launcher_list", "LauncherConfigDetailedSerializerNoManufacturer"),
        nested("spacecraft_list", "SpacecraftConfigDetailed")})
      .extends("AgencyDetailed");
}

}  // namespace ll2::resources
