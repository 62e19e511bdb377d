// Agencies (/2.3.0/agencies/) and their social media links.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;
using model::ValueKind;

namespace {

// `parent__id=ID`: LL2 prints an agency's parent by name only, which is what
// a copy holds; so the agencies whose parent is agency ID's name (none when
// there is no agency ID: django-filter's NumberFilter on the key).
model::Predicate parent_by_id(const std::vector<Value>& values,
                              const model::FilterContext& context) {
  return context.named_as("agency", {values.at(0)}, "parent");
}

// `spacecraft=true`: agencies with spacecraft configurations (LL2's
// spacecraft_list); false: those without.
model::Predicate has_spacecraft(const std::vector<Value>& values,
                                const model::FilterContext& /*context*/) {
  const bool has = std::get<int64_t>(values.at(0)) != 0;
  return model::Predicate::compare("spacecraft_list", Lookup::IsNull, int64_t{has ? 0 : 1});
}

}  // namespace

void declare_agencies(model::Registry& r) {
  KindBuilder{r.kind("social_media")}.text({"name", "url"}).fk("logo", "image");
  KindBuilder{r.kind("social_media_link")}.fk("social_media", "social_media").text({"url"});
  KindBuilder{r.kind("agency")}
      .model("Agency")
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

  r.resource({
      .path = "agencies",
      .singular = "Agency",
      .plural = "Agencies",
      .modes = {{"list", "AgencyMini"},
                {"normal", "AgencyNormal"},
                {"detailed", "AgencyEndpointDetailed"}},
      .filters = filters({lookups("abbrev", {Lookup::Exact, Lookup::Contains}),
                          range("attempted_landings"),
                          range("consecutive_successful_landings"),
                          range("consecutive_successful_launches"),
                          {in_list("country_code", "country__alpha_3_code", ValueKind::Text)},
                          lookups("description", {Lookup::Exact, Lookup::Contains}),
                          range("failed_landings"),
                          range("failed_launches"),
                          exact("featured"),
                          range("founding_year"),
                          exact("id"),
                          lookups("name", {Lookup::Exact, Lookup::Contains}),
                          {custom("parent__id", ValueKind::Number, parent_by_id)},
                          range("pending_launches"),
                          {custom("spacecraft", ValueKind::Boolean, has_spacecraft)},
                          range("successful_landings"),
                          range("successful_launches"),
                          range("total_launch_count"),
                          exact("type__id")}),
      .search_fields = {"abbrev", "name"},
      .ordering_fields = {"attempted_landings", "consecutive_successful_landings",
                          "consecutive_successful_launches", "failed_landings", "failed_launches",
                          "featured", "id", "name", "pending_launches", "successful_landings",
                          "successful_launches", "total_launch_count"},
      .default_ordering = {"name", "featured"},  // LL2's model ordering
      .tags = {"Agencies"},
      .schema_name = "AgencyEndpoint",
      .mode_example = "mode=list",
      .filter_example = "abbrev=NASA",
      .search_example = "search=SpaceX",
      .ordering_example = "ordering=-total_launch_count",
  });
}

}  // namespace ll2::resources
