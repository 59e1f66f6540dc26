using Berth.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("System_Users");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Id).HasColumnName("ID").ValueGeneratedOnAdd();
        builder.Property(u => u.Email).HasColumnName("Email").IsRequired();
        builder.Property(u => u.Password).HasColumnName("Password").IsRequired();
        builder.Property(u => u.Admin).HasColumnName("Admin").HasDefaultValue(false);
        builder.Property(u => u.Enabled).HasColumnName("Enabled").IsRequired().HasDefaultValue(false);
        builder.Property(u => u.LastLogin).HasColumnName("LastLogin").IsRequired().HasDefaultValue("");
        builder.Ignore(u => u.IsAdmin);
        builder.HasIndex(u => u.Email).IsUnique().HasDatabaseName(SeedSchema.InlineConstraintPrefix + "System_Users_Email");
    }
}
