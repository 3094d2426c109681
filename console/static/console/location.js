/* The location page: a pin on the map fills the latitude and longitude fields. */
AntarMap.pinPicker("map", "id_lat", "id_lon");
